package dev.spillway.helm;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spillway.loadtest.experiment.Experiment;
import dev.spillway.loadtest.experiment.ExperimentFile;
import dev.spillway.loadtest.experiment.ExperimentSpec;
import dev.spillway.loadtest.experiment.Shard;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** examples/sharded-experiment.yaml: an Indexed Job of shards into a shared volume, then a merge. */
class ExperimentJobTest {

  private static final Path EXAMPLE = ChartRender.EXAMPLES.resolve("sharded-experiment.yaml");
  private final Manifests rendered = ChartRender.render(EXAMPLE);

  private Job step(String step) {
    return rendered.all(Job.class).stream()
        .filter(j -> step.equals(j.getMetadata().getLabels().get("spillway.dev/experiment-step")))
        .findFirst().orElseThrow(() -> new AssertionError("no " + step + " Job in " + rendered.names()));
  }

  private static Container container(Job job) {
    return job.getSpec().getTemplate().getSpec().getContainers().get(0);
  }

  private static String flag(List<String> args, String name) {
    return args.stream().filter(a -> a.startsWith(name + "=")).map(a -> a.substring(name.length() + 1))
        .findFirst().orElseThrow(() -> new AssertionError(name + " not in " + args));
  }

  @Test
  void eachIndexedPodRunsOneShardOfTheExperimentIntoTheSharedVolume() {
    Job shards = step("shards");
    Container shard = container(shards);

    assertThat(shards.getSpec().getCompletionMode()).isEqualTo("Indexed");
    assertThat(shards.getSpec().getCompletions()).isEqualTo(4);
    assertThat(shards.getSpec().getParallelism()).isEqualTo(4);
    assertThat(shard.getCommand()).containsExactly("java", "-jar", "/opt/spillway/lib/spillway-loadtest.jar");
    assertThat(shard.getArgs()).startsWith("experiment", "/etc/spillway/experiment/experiment.yaml")
        .contains("--shard=$(SHARD_INDEX)/4", "--parallel=1");
    assertThat(shard.getEnv()).singleElement().satisfies(env -> {
      assertThat(env.getName()).isEqualTo("SHARD_INDEX");
      assertThat(env.getValueFrom().getFieldRef().getFieldPath())
          .isEqualTo("metadata.annotations['batch.kubernetes.io/job-completion-index']");
    });
    assertThat(Shard.parse("3/4")).isEqualTo(new Shard(3, 4));
  }

  @Test
  void theMergeWaitsForEveryShardFileAndMergesTheDirectoryTheShardsWrote() {
    Container shard = container(step("shards"));
    Job merge = step("merge");
    Container merger = container(merge);
    String shardDir = flag(shard.getArgs(), "--out");

    assertThat(merger.getArgs()).containsExactly(
        "experiment", "merge", shardDir, "--out=" + shardDir.replace("/shards", "/merged"));
    String wait = String.join(" ", merge.getSpec().getTemplate().getSpec().getInitContainers().get(0).getCommand());
    assertThat(wait).contains(shardDir + "/shard-*-of-0004.json", "-ge 4");
    // The glob the merge waits on matches the files the shards write.
    var glob = FileSystems.getDefault().getPathMatcher("glob:shard-*-of-0004.json");
    for (int i = 0; i < 4; i++) {
      assertThat(glob.matches(Path.of(new Shard(i, 4).fileName()))).isTrue();
    }
  }

  @Test
  void shardsAndMergeShareOneClaimAndTheExperimentFile() {
    PersistentVolumeClaim claim = rendered.one(PersistentVolumeClaim.class, "spillway-experiment");
    for (String step : List.of("shards", "merge")) {
      var pod = step(step).getSpec().getTemplate().getSpec();
      assertThat(pod.getVolumes()).filteredOn(v -> v.getPersistentVolumeClaim() != null)
          .singleElement().satisfies(v ->
              assertThat(v.getPersistentVolumeClaim().getClaimName()).isEqualTo(claim.getMetadata().getName()));
      assertThat(pod.getRestartPolicy()).isEqualTo("Never");
    }
    assertThat(claim.getMetadata().getAnnotations()).containsEntry("helm.sh/resource-policy", "keep");
  }

  @Test
  void theExperimentFileLoadsThroughTheLoadTestersOwnParserAndSplitsIntoTheShards() {
    ConfigMap file = rendered.all(ConfigMap.class).stream()
        .filter(c -> c.getData().containsKey("experiment.yaml")).findFirst().orElseThrow();

    ExperimentSpec spec = ExperimentFile.parse(
        file.getData().get("experiment.yaml"), Path.of("."), "experiment", "experiment.yaml");

    assertThat(spec.name()).isEqualTo("cost-aware-routing-small");
    // 4 rates × (3 policies + 3 equal-cost fleets): six runs for each of the 4 shards.
    assertThat(new Experiment(spec).runCount()).isEqualTo(24);
  }

  @Test
  void aChangedExperimentFileMakesNewJobsSinceAJobsTemplateCannotChange() {
    Manifests other = ChartRender.render(EXAMPLE, Map.of("experiment.shards", 6));

    assertThat(other.all(Job.class)).extracting(j -> j.getMetadata().getName())
        .doesNotContainAnyElementsOf(rendered.all(Job.class).stream().map(j -> j.getMetadata().getName()).toList());
  }
}
