package dev.spillway.backends.emulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.spillway.backends.spi.Backend;
import dev.spillway.backends.spi.BackendContext;
import dev.spillway.backends.spi.BackendProvider;
import dev.spillway.backends.spi.BackendSpec;
import dev.spillway.backends.time.VirtualClock;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProfilesTest {

  @Test
  void builtInCatalogHasTheRequiredAcceleratorsAndModels() {
    Profiles p = Profiles.builtIn();
    for (String name :
        new String[] {
          "inf2.xlarge", "inf2.8xlarge", "inf2.24xlarge", "inf2.48xlarge", "trn1.32xlarge",
          "trn2.48xlarge", "trn3.48xlarge", "cs-3", "p4de.24xlarge", "p5.48xlarge", "p5en.48xlarge",
          "p6-b200.48xlarge"
        }) {
      AcceleratorProfile a = p.accelerator(name);
      assertThat(a.priceSource()).as(name + " price source").isNotBlank();
      assertThat(p.stack(a.stack()).efficiency(a.family())).as(name).isNotNull();
    }
    assertThat(p.accelerator("trn3.48xlarge").derived()).isTrue();
    for (String id : new String[] {"llama-3.1-8b", "llama-3.3-70b", "llama-3.1-405b", "llama-2-70b"}) {
      assertThat(p.model(id).name()).isEqualTo(id);
      assertThat(p.prices().modelPrice(id)).as(id + " list price").isNotNull();
    }
  }

  @Test
  void modelAliasesResolveToTheirProfile() {
    Profiles p = Profiles.builtIn();
    assertThat(p.model("Llama-3.3-70B-Instruct").name()).isEqualTo("llama-3.3-70b");
    assertThat(p.model("meta.llama3-3-70b-instruct-v1:0").name()).isEqualTo("llama-3.3-70b");
    assertThat(p.model("Llama-3-8B").name()).isEqualTo("llama-3.1-8b");
    assertThatThrownBy(() -> p.model("mistral-7b"))
        .hasMessageContaining("model: mistral-7b (expected one of:");
  }

  @Test
  void aUserFileOverridesFieldsAndAddsEntries(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("mine.yaml");
    Files.writeString(
        file,
        "accelerators:\n"
            + "  - name: trn2.48xlarge\n"
            + "    pricePerHour: 28.0\n"
            + "    priceSource: our savings plan\n"
            + "models:\n"
            + "  - name: tiny-1b\n"
            + "    layers: 16\n"
            + "    dModel: 2048\n"
            + "    heads: 32\n"
            + "    kvHeads: 8\n"
            + "    headDim: 64\n"
            + "    ffn: 8192\n"
            + "    vocab: 128256\n"
            + "    experts: 0\n"
            + "    expertsPerToken: 0\n"
            + "    contextTokens: 8192\n"
            + "    embedding: false\n"
            + "prices:\n"
            + "  tiers: {priority: 2.0}\n");
    Profiles p = Profiles.withOverrides(file);
    AcceleratorProfile trn2 = p.accelerator("trn2.48xlarge");
    assertThat(trn2.pricePerHour()).isEqualTo(28.0);
    assertThat(trn2.priceSource()).isEqualTo("our savings plan");
    assertThat(trn2.chips()).as("fields not overridden keep their values").isEqualTo(16);
    assertThat(p.model("tiny-1b").layers()).isEqualTo(16);
    assertThat(p.prices().multiplier(dev.spillway.backends.spi.ServiceTier.PRIORITY)).isEqualTo(2.0);
    assertThat(p.prices().multiplier(dev.spillway.backends.spi.ServiceTier.FLEX)).isEqualTo(0.5);
  }

  @Test
  void badValuesAreRejectedNamingTheField(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("bad.yaml");
    Files.writeString(file, "chips:\n  - name: trainium2\n    memoryGiB: -1\n");
    assertThatThrownBy(() -> Profiles.withOverrides(file))
        .hasMessageContaining("trainium2.memoryGiB: -1.0 (expected: > 0)");
    Files.writeString(file, "accelerators:\n  - name: trn2.48xlarge\n    pricePerHr: 3\n");
    assertThatThrownBy(() -> Profiles.withOverrides(file)).hasMessageContaining("pricePerHr");
    Files.writeString(file, "accelerators:\n  - name: x.large\n    family: h100\n    chip: nope\n    chips: 1\n    pricePerHour: 1\n    stack: trtllm\n");
    assertThatThrownBy(() -> Profiles.withOverrides(file)).hasMessageContaining("x.large.chip: nope");
  }

  @Test
  void emulatedKindIsFoundByServiceLoaderAndBuildsAPool() {
    BackendProvider provider = BackendProvider.forKind("emulated");
    Backend backend =
        provider.create(
            new BackendSpec(
                "llama-3.3-70b@trn2", "emulated", "llama-3.3-70b", 3,
                Map.of("accelerator", "trn2.48xlarge", "tp", 64)),
            BackendContext.of(new VirtualClock()));
    assertThat(backend.replicas()).hasSize(3);
    assertThat(backend.replicas().get(2).id()).isEqualTo("llama-3.3-70b@trn2/2");
    assertThat(backend.description()).contains("trn2.48xlarge tp=64");
    assertThatThrownBy(() -> BackendProvider.forKind("quantum"))
        .hasMessageContaining("kind: quantum (expected: a registered backend kind)");
    assertThatThrownBy(
            () ->
                provider.create(
                    new BackendSpec("p", "emulated", "llama-3.3-70b", 1, Map.of()),
                    BackendContext.of(new VirtualClock())))
        .hasMessageContaining("p.accelerator: missing");
  }

  @Test
  void defaultTensorParallelismLeavesRoomForTheKvCache() {
    Profiles p = Profiles.builtIn();
    Deployment h100 =
        Deployment.of(p, p.accelerator("p5.48xlarge"), p.model("llama-3.3-70b"), null, 0, null);
    // 141 GB of bf16 weights: two 80 GB GPUs would be 98% full, four leave room
    assertThat(h100.tp()).isEqualTo(4);
    assertThatThrownBy(
            () -> Deployment.of(p, p.accelerator("p5.48xlarge"), p.model("llama-3.1-405b"), null, 2, null))
        .hasMessageContaining("leave no room for KV cache");
  }
}
