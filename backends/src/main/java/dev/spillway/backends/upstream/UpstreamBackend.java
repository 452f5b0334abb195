package dev.spillway.backends.upstream;

import dev.spillway.backends.spi.Backend;
import dev.spillway.backends.spi.Replica;
import java.net.URI;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/** A pool of upstream servers, one replica per base URL. */
final class UpstreamBackend implements Backend {

  private final String pool;
  private final String model;
  private final UpstreamSettings settings;
  private final List<UpstreamReplica> replicas;

  UpstreamBackend(String pool, String model, UpstreamSettings settings, List<UpstreamReplica> replicas) {
    this.pool = pool;
    this.model = model;
    this.settings = settings;
    this.replicas = List.copyOf(replicas);
  }

  @Override
  public String pool() {
    return pool;
  }

  @Override
  public String model() {
    return model;
  }

  /** The distinct URLs and the upstream's model name; never the key. */
  @Override
  public String description() {
    Set<URI> urls = new LinkedHashSet<>(settings.baseUrls());
    String where = urls.stream().map(URI::toString).collect(Collectors.joining(", "));
    String served = settings.upstreamModel().equals(model) ? "" : " as " + settings.upstreamModel();
    return "upstream " + where + served;
  }

  @Override
  public List<Replica> replicas() {
    return List.copyOf(replicas);
  }

  /** Cancels requests in flight and closes the replicas' connections, on the clock's context. */
  @Override
  public void close() {
    for (UpstreamReplica replica : replicas) {
      replica.close();
    }
  }
}
