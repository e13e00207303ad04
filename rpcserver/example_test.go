package rpcserver_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http/httptest"

	"github.com/hestami-ai/opsengine/contractorops"
	"github.com/hestami-ai/opsengine/contractorops/memstore"
	"github.com/hestami-ai/opsengine/rpcserver"
	"github.com/hestami-ai/opsengine/rpcserver/client"
)

// A host serves an embedded engine and calls it with the typed client.
func Example() {
	ctx := context.Background()
	eng, _ := contractorops.New(memstore.New(), &contractorops.Config{Logger: slog.New(slog.DiscardHandler)})
	platform := contractorops.Scope{OrganizationID: contractorops.PlatformOrganization,
		Actor: contractorops.Actor{Kind: contractorops.ActorSystem, ID: "setup"}, Role: contractorops.RoleOwner}
	org, _ := eng.Organizations.Create(ctx, platform, "org-1", contractorops.CreateOrganizationInput{Name: "Acme HVAC", Type: contractorops.OrgServiceProvider})
	key, _ := eng.APIKeys.Create(ctx, contractorops.SystemScope(org.ID, "setup"), "key-1", contractorops.CreateAPIKeyInput{
		Name: "office", Role: contractorops.RoleDispatcher, Actor: contractorops.Actor{Kind: contractorops.ActorUser, ID: "dana"}})

	srv, _ := rpcserver.New(eng, &rpcserver.Config{Logger: slog.New(slog.DiscardHandler)})
	ts := httptest.NewServer(srv)
	defer ts.Close()

	c := client.New(ts.URL, key.Key, nil)
	cu, err := client.Call[contractorops.CustomerInput, contractorops.Customer](ctx, c, "customer/v1/create", "create-ada",
		contractorops.CustomerInput{Name: "Ada Lovelace"})
	fmt.Println(cu.Name, err)

	_, err = client.Call[contractorops.IDInput, contractorops.Customer](ctx, c, "customer/v1/get", "", contractorops.IDInput{ID: "nope"})
	fmt.Println(errors.Is(err, contractorops.ErrNotFound), rpcserver.HTTPStatus(contractorops.AsError(err).Type))
	// Output:
	// Ada Lovelace <nil>
	// true 404
}
