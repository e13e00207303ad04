package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"

	"github.com/hestami-ai/opsengine/contractorops"
	"github.com/hestami-ai/opsengine/contractorops/durable"
	"github.com/hestami-ai/opsengine/contractorops/memstore"
	"github.com/hestami-ai/opsengine/contractorops/pgstore"
)

// engineConfig says which engine to run.
type engineConfig struct {
	// DatabaseURL is the runtime role's Postgres URL; empty runs the
	// embedded engine in memory.
	DatabaseURL string
	// SystemDatabaseURL is DBOS's system database; defaults to DatabaseURL.
	SystemDatabaseURL string
	ExecutorID        string
	AppVersion        string
	Logger            *slog.Logger
	// PaymentProviders are registered besides the manual one.
	PaymentProviders map[string]contractorops.PaymentProvider
}

// engine is a running engine and what it runs on.
type engine struct {
	*contractorops.Engine
	// ready reports whether the database and the workflow runtime answer.
	ready func(context.Context) error
	close func(context.Context) error
}

// openEngine starts the engine cfg asks for: embedded, or on Postgres with
// the durable runner after checking the schema is migrated.
func openEngine(ctx context.Context, cfg engineConfig) (*engine, error) {
	if cfg.DatabaseURL == "" {
		eng, err := contractorops.New(memstore.New(), &contractorops.Config{Logger: cfg.Logger, PaymentProviders: cfg.PaymentProviders})
		if err != nil {
			return nil, err
		}
		return &engine{Engine: eng, ready: func(context.Context) error { return nil }, close: eng.Close}, nil
	}
	store, err := pgstore.Connect(ctx, cfg.DatabaseURL, nil)
	if err != nil {
		return nil, fmt.Errorf("connect to the database: %w", err)
	}
	if err := store.CheckSchema(ctx); err != nil {
		store.Close()
		if errors.Is(err, pgstore.ErrNotMigrated) {
			return nil, fmt.Errorf("refusing to start: %w", err)
		}
		return nil, err
	}
	sys := cfg.SystemDatabaseURL
	if sys == "" {
		sys = cfg.DatabaseURL
	}
	runner, err := durable.New(ctx, store, &durable.Config{
		SystemDatabaseURL: sys, ExecutorID: cfg.ExecutorID, ApplicationVersion: cfg.AppVersion, Logger: cfg.Logger,
	})
	if err != nil {
		store.Close()
		return nil, fmt.Errorf("start the workflow runtime (has `opsd migrate` run?): %w", err)
	}
	eng, err := contractorops.New(store, &contractorops.Config{Runner: runner, Logger: cfg.Logger, PaymentProviders: cfg.PaymentProviders})
	if err != nil {
		runner.Close(ctx)
		store.Close()
		return nil, err
	}
	return &engine{
		Engine: eng,
		ready: func(ctx context.Context) error {
			if err := store.Ping(ctx); err != nil {
				return fmt.Errorf("database: %w", err)
			}
			if err := runner.Ready(ctx); err != nil {
				return fmt.Errorf("workflow runtime: %w", err)
			}
			return nil
		},
		close: func(ctx context.Context) error {
			err := eng.Close(ctx)
			store.Close()
			return err
		},
	}, nil
}

// defaultExecutorID names this process among those sharing a database:
// its host name, stable across restarts so that it recovers its own
// interrupted workflows.
func defaultExecutorID() string {
	if h, err := os.Hostname(); err == nil && h != "" {
		return h
	}
	return "opsd"
}

// platform is the scope of platform operations.
func platform() contractorops.Scope {
	return contractorops.Scope{
		OrganizationID: contractorops.PlatformOrganization,
		Actor:          contractorops.Actor{Kind: contractorops.ActorSystem, ID: "opsd"},
		Role:           contractorops.RoleOwner,
	}
}

// createOrganization creates an organization and an OWNER API key for it.
// The same idempotency key creates nothing new.
func createOrganization(ctx context.Context, eng *contractorops.Engine, key, name string, typ contractorops.OrganizationType) (*contractorops.Organization, *contractorops.NewAPIKey, error) {
	org, err := eng.Organizations.Create(ctx, platform(), key, contractorops.CreateOrganizationInput{Name: name, Type: typ})
	if err != nil {
		return nil, nil, fmt.Errorf("create the organization: %w", err)
	}
	nk, err := eng.APIKeys.Create(ctx, contractorops.SystemScope(org.ID, "opsd"), key+"/owner-key", contractorops.CreateAPIKeyInput{
		Name: "owner (created by opsd)", Role: contractorops.RoleOwner, Actor: contractorops.Actor{Kind: contractorops.ActorUser, ID: "owner"},
	})
	if err != nil {
		return nil, nil, fmt.Errorf("create the owner's API key: %w", err)
	}
	return org, nk, nil
}
