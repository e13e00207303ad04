package main

import (
	"context"
	"fmt"
	"io"

	"github.com/hestami-ai/opsengine/contractorops"
	"github.com/hestami-ai/opsengine/contractorops/durable"
	"github.com/hestami-ai/opsengine/rpcserver/client"
)

func migrate(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) error {
	f := newFlags("migrate", "Apply the engine's migrations and DBOS's, as the owner of the schema, and grant the runtime roles what they need.", stderr, getenv)
	owner := f.string("database-url", "OPSENGINE_OWNER_DATABASE_URL", "", "Postgres URL of the role that owns the schema (required)")
	runtime := f.string("runtime-role", "OPSENGINE_RUNTIME_ROLE", "", "role the engine connects as (neither owner, superuser nor BYPASSRLS)")
	system := f.string("system-role", "OPSENGINE_SYSTEM_ROLE", "", "role of -system-database-url when it is not the owner")
	if err := f.parse(args); err != nil {
		return err
	}
	if *owner == "" {
		return fmt.Errorf("migrate: -database-url (the owner's URL) is required")
	}
	if err := durable.Migrate(ctx, *owner, *runtime, *system); err != nil {
		return err
	}
	fmt.Fprintln(stdout, "opsd: the database is migrated")
	return nil
}

func createOrg(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) error {
	f := newFlags("create-org", "Create an organization (a tenant) and print its id and an OWNER API key, shown once.", stderr, getenv)
	dbURL := f.string("database-url", "OPSENGINE_DATABASE_URL", "", "Postgres URL of the engine's runtime role (required)")
	sysURL := f.string("system-database-url", "OPSENGINE_SYSTEM_DATABASE_URL", "", "Postgres URL of DBOS's system tables (default: -database-url)")
	name := f.string("name", "OPSD_ORG_NAME", "", "the organization's name (required)")
	typ := f.string("type", "OPSD_ORG_TYPE", string(contractorops.OrgServiceProvider), "SERVICE_PROVIDER, EXTERNAL_SERVICE_PROVIDER, COMMUNITY_ASSOCIATION or MANAGEMENT_COMPANY")
	key := f.string("idempotency-key", "OPSD_IDEMPOTENCY_KEY", "", "retrying with the same key creates nothing new (default: a new key)")
	if err := f.parse(args); err != nil {
		return err
	}
	if *dbURL == "" || *name == "" {
		return fmt.Errorf("create-org: -database-url and -name are required")
	}
	if *key == "" {
		*key = client.NewIdempotencyKey()
	}
	logger, _ := newLogger(stderr, "warn")
	eng, err := openEngine(ctx, engineConfig{DatabaseURL: *dbURL, SystemDatabaseURL: *sysURL, ExecutorID: "opsd-create-org", Logger: logger})
	if err != nil {
		return err
	}
	defer eng.close(context.WithoutCancel(ctx))
	org, nk, err := createOrganization(ctx, eng.Engine, "opsd-create-org/"+*key, *name, contractorops.OrganizationType(*typ))
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "organization %s\napi-key %s\n", org.ID, nk.Key)
	return nil
}
