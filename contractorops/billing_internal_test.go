package contractorops

import (
	"fmt"
	"sync"
	"testing"

	"github.com/hestami-ai/opsengine/pricing"
)

func TestPricerCacheEvictsTheLeastRecentlyUsed(t *testing.T) {
	c := newPricerCache(2)
	a, b, d := &pricing.Pricer{}, &pricing.Pricer{}, &pricing.Pricer{}
	c.put("org/a", a)
	c.put("org/b", b)
	if p, ok := c.get("org/a"); !ok || p != a { // a is now the most recent
		t.Fatal("a is cached")
	}
	c.put("org/d", d)
	if _, ok := c.get("org/b"); ok {
		t.Error("b, the least recently used, is still cached")
	}
	if _, ok := c.get("other/a"); ok {
		t.Error("another organization's key hits")
	}
	for _, k := range []string{"org/a", "org/d"} {
		if _, ok := c.get(k); !ok {
			t.Errorf("%s evicted", k)
		}
	}
}

func TestPricerCacheIsSafeForConcurrentUse(t *testing.T) {
	c := newPricerCache(8)
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 200 {
				k := fmt.Sprint("org/", (g*7+i)%20)
				if _, ok := c.get(k); !ok {
					c.put(k, &pricing.Pricer{})
				}
			}
		}()
	}
	wg.Wait()
	if n := c.lru.Len(); n != 8 || len(c.items) != 8 {
		t.Errorf("%d entries, %d keys; want 8", n, len(c.items))
	}
}
