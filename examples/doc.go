// Package examples holds runnable programs that show the engine at work; each
// subdirectory is a main package (go run ./examples/quickstart).
package examples
