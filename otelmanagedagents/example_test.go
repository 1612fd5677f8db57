package otelmanagedagents_test

import (
	"context"
	"fmt"
	"log"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/propagation"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/go-managedagents/managedagents"
	"github.com/go-managedagents/managedagents/managedagentstest"
	"github.com/go-managedagents/managedagents/option"
	"github.com/go-managedagents/managedagents/otelmanagedagents"
)

// A service registers its providers once; the middleware then traces every
// call of the client.
func ExampleMiddleware() {
	tp := sdktrace.NewTracerProvider( /* sdktrace.WithBatcher(your exporter) */ )
	defer func() { _ = tp.Shutdown(context.Background()) }()
	otel.SetTracerProvider(tp)
	otel.SetTextMapPropagator(propagation.TraceContext{})

	client := managedagents.NewClient(option.WithMiddleware(otelmanagedagents.Middleware()))
	_ = client
}

// A turn run through the Telemetry is one span, parent of every call it
// makes and of its tool calls. Here on the fake server, with the spans kept
// in memory.
func ExampleTelemetry_RunTurn() {
	srv := managedagentstest.NewServer()
	defer srv.Close()
	spans := tracetest.NewInMemoryExporter()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(spans))
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(sdkmetric.NewManualReader()))
	tel := otelmanagedagents.New(otelmanagedagents.WithTracerProvider(tp), otelmanagedagents.WithMeterProvider(mp))
	client := srv.Client(option.WithMiddleware(tel.Middleware()))

	ctx := context.Background()
	agent, err := client.Agents.Create(ctx, managedagents.AgentCreateParams{
		Name:  "Weather",
		Model: managedagents.ModelConfig{ID: "claude-sonnet-5-5"},
		Tools: []managedagents.Tool{managedagents.NewCustomTool("get_weather", "The weather of a city.",
			managedagents.InputSchema{Properties: map[string]any{"city": map[string]any{"type": "string"}}})},
	})
	if err != nil {
		log.Fatal(err)
	}
	env, err := client.Environments.Create(ctx, managedagents.EnvironmentCreateParams{Name: "weather"})
	if err != nil {
		log.Fatal(err)
	}
	session, err := client.Sessions.Create(ctx, managedagents.SessionCreateParams{
		Agent: managedagents.NewAgentRef(agent.ID), EnvironmentID: env.ID})
	if err != nil {
		log.Fatal(err)
	}
	spans.Reset()

	res, err := tel.RunTurn(ctx, client, session.ID, managedagents.SessionRunTurnParams{
		Events: []managedagents.EventParam{managedagents.NewUserMessage("Weather in Paris?")},
		Tools: map[string]managedagents.ToolHandler{
			"get_weather": func(context.Context, *managedagents.AgentCustomToolUseEvent) ([]managedagents.ContentBlock, error) {
				return []managedagents.ContentBlock{managedagents.NewTextBlock("sunny")}, nil
			},
		},
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("stop reason:", res.StopReason.Type)
	_ = tp.ForceFlush(ctx)
	for _, s := range spans.GetSpans() {
		fmt.Println(s.Name, s.SpanKind)
	}
	// Output:
	// stop reason: end_turn
	// anthropic.sessions.events.send client
	// anthropic.custom_tool_use get_weather internal
	// anthropic.sessions.events.send client
	// anthropic.sessions.events.stream client
	// anthropic.sessions.run_turn internal
}
