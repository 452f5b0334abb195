package dev.spillway.loadtest.experiment;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.JsonSerializer;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Collections;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;

/**
 * What one shard of an experiment ran ({@code experiment --shard i/N}), as a file that
 * {@code experiment merge} reads back: the experiment's name, the file it came from and that file's
 * SHA-256 (so shards of different files, or of a file edited between them, are never merged), and
 * each run whole, under its index in the plan.
 *
 * <p>Runs are written with every component of {@link RunResult}, doubles in their shortest exact
 * decimal form and NaN as the string {@code "NaN"}, so a run read back equals the run written, and
 * reports built from merged shards equal the unsharded run's.
 *
 * @param wallSeconds how long the shard took on its machine
 * @param runs the shard's runs by their index in the plan
 */
public record ShardFile(
    String experiment, String source, String sha256, Shard shard, int runCount, double wallSeconds,
    Map<Integer, RunResult> runs) {

  /** Bumped when the layout changes; a merge refuses files of another version. */
  static final int FORMAT = 1;

  private static final ObjectMapper JSON =
      new ObjectMapper()
          .registerModule(
              new SimpleModule("durations")
                  .addSerializer(Duration.class, new JsonSerializer<>() {
                    @Override
                    public void serialize(Duration value, JsonGenerator out, SerializerProvider provider)
                        throws IOException {
                      out.writeString(value.toString());
                    }
                  })
                  .addDeserializer(Duration.class, new JsonDeserializer<>() {
                    @Override
                    public Duration deserialize(JsonParser in, DeserializationContext context)
                        throws IOException {
                      return Duration.parse(in.getValueAsString());
                    }
                  }))
          .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);

  public ShardFile {
    requireNonNull(experiment, "experiment");
    requireNonNull(source, "source");
    requireNonNull(sha256, "sha256");
    requireNonNull(shard, "shard");
    runs = Collections.unmodifiableMap(new TreeMap<>(runs));
  }

  /** The lower-case hex SHA-256 of an experiment file's text. */
  public static String sha256(String text) {
    try {
      return HexFormat.of().formatHex(
          MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }

  /** Writes this shard into {@code dir}, created if needed, as {@link Shard#fileName()}. */
  public Path write(Path dir) throws IOException {
    ObjectNode json = JSON.createObjectNode();
    json.put("format", FORMAT);
    json.put("experiment", experiment);
    json.put("source", source);
    json.put("sha256", sha256);
    json.put("shard", shard.index());
    json.put("shards", shard.count());
    json.put("run_count", runCount);
    json.put("wall_time_s", wallSeconds);
    ArrayNode list = json.putArray("runs");
    runs.forEach((index, run) -> {
      ObjectNode entry = list.addObject();
      entry.put("index", index);
      entry.set("run", JSON.valueToTree(run));
    });
    Files.createDirectories(dir);
    Path file = dir.resolve(shard.fileName());
    // Written aside and moved in: a merge never reads half a file of a shard still writing.
    Path partial = dir.resolve(shard.fileName() + ".partial");
    JSON.writerWithDefaultPrettyPrinter().writeValue(partial.toFile(), json);
    Files.move(partial, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
        java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    return file;
  }

  /** Reads a file {@link #write} wrote; anything else is an error naming the file. */
  public static ShardFile read(Path file) throws IOException {
    JsonNode json;
    try {
      json = JSON.readTree(file.toFile());
    } catch (IOException e) {
      throw new IOException(file + ": not a shard file (" + e.getMessage() + ")", e);
    }
    if (json == null || !json.isObject() || json.path("format").asInt() != FORMAT) {
      throw new IOException(file + ": format " + (json == null ? "missing" : json.path("format"))
          + " (expected: a shard file of format " + FORMAT + ", written by experiment --shard)");
    }
    try {
      Shard shard = new Shard(json.path("shard").asInt(-1), json.path("shards").asInt(-1));
      Map<Integer, RunResult> runs = new TreeMap<>();
      for (JsonNode entry : json.path("runs")) {
        runs.put(entry.path("index").asInt(-1), JSON.treeToValue(entry.get("run"), RunResult.class));
      }
      return new ShardFile(
          json.path("experiment").asText(), json.path("source").asText(), json.path("sha256").asText(),
          shard, json.path("run_count").asInt(-1), json.path("wall_time_s").asDouble(), runs);
    } catch (IOException | IllegalArgumentException | NullPointerException e) {
      throw new IOException(file + ": not a complete shard file (" + e.getMessage() + ")", e);
    }
  }
}
