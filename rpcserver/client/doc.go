// Package client is a small typed Go client of the engine's RPC API (package
// rpcserver), over the same catalog types as the engine's Go API:
//
//	c := client.New("http://127.0.0.1:8080", os.Getenv("OPS_API_KEY"), nil)
//	cu, err := client.Call[contractorops.CustomerInput, contractorops.Customer](ctx, c,
//		"customer/v1/create", client.NewIdempotencyKey(), contractorops.CustomerInput{Name: "Ada"})
//	if errors.Is(err, contractorops.ErrValidationFailed) { … }
//
// Errors from the server are *contractorops.Error values decoded from the
// envelope, so they match the engine's sentinels with errors.Is exactly as
// in an embedded engine; transport failures are other errors. The trace of
// ctx (OpenTelemetry) travels as a W3C traceparent.
package client
