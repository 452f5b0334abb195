package dev.spillway.backends.emulator;

import dev.spillway.backends.spi.Backend;
import dev.spillway.backends.spi.BackendContext;
import dev.spillway.backends.spi.BackendProvider;
import dev.spillway.backends.spi.BackendSpec;
import java.util.Map;

/**
 * The {@code emulated} backend kind. Settings: {@code accelerator} (required, a profile name such as
 * {@code trn2.48xlarge}), and optionally {@code stack}, {@code tp}, {@code dtype} and, for static
 * stacks, {@code batchSize}, {@code toolCallRate} (under {@code tool_choice: auto}, the probability
 * that an answer calls a tool; default {@value OutputPlan#DEFAULT_TOOL_CALL_RATE}), and {@code faults}
 * to inject ({@link Faults#parse}). Profiles come from the context ({@link Profiles}) or the built-in catalog;
 * so does whether free text is written ({@link TokenText}, written unless the context says otherwise).
 */
public final class EmulatedBackendProvider implements BackendProvider {

  @Override
  public String kind() {
    return "emulated";
  }

  @Override
  public Backend create(BackendSpec spec, BackendContext context) {
    Profiles profiles =
        context.services().containsKey(Profiles.class)
            ? context.require(Profiles.class)
            : Profiles.builtIn();
    AcceleratorProfile accelerator = profiles.accelerator(spec.requireString("accelerator"));
    ModelProfile model = profiles.model(spec.string("profile", spec.model()));
    String stackName = spec.string("stack", null);
    StackProfile stack = stackName == null ? null : profiles.stack(stackName);
    String dtype = spec.string("dtype", null);
    Deployment deployment =
        Deployment.of(
            profiles, accelerator, model, stack, spec.integer("tp", 0),
            dtype == null ? null : Dtype.parse(dtype));
    EmulatedBackend backend =
        new EmulatedBackend(
            spec.pool(), spec.model(), deployment, spec.replicas(), spec.integer("batchSize", 0),
            context.clock(), profiles.prices(), toolCallRate(spec),
            (TokenText) context.services().getOrDefault(TokenText.class, TokenText.WRITTEN));
    Object faults = spec.settings().get("faults");
    if (faults != null) {
      if (!(faults instanceof Map)) {
        throw new IllegalArgumentException(
            "faults: " + faults + " (expected: an object such as {errorRate: 0.1})");
      }
      @SuppressWarnings("unchecked")
      Faults parsed = Faults.parse("faults", (Map<String, ?>) faults);
      context.clock().execute(() -> backend.faults(parsed));
    }
    return backend;
  }

  private static double toolCallRate(BackendSpec spec) {
    Object value = spec.settings().get("toolCallRate");
    if (value == null) {
      return OutputPlan.DEFAULT_TOOL_CALL_RATE;
    }
    if (!(value instanceof Number) || !(((Number) value).doubleValue() >= 0)
        || ((Number) value).doubleValue() > 1) {
      throw new IllegalArgumentException("toolCallRate: " + value + " (expected: a probability from 0 to 1)");
    }
    return ((Number) value).doubleValue();
  }
}
