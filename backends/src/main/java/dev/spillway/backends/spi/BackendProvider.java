package dev.spillway.backends.spi;

import java.util.ServiceLoader;

/**
 * Makes backends of one kind. Implementations are found with {@link ServiceLoader} and chosen by the
 * {@code kind} of a pool in configuration.
 */
public interface BackendProvider {

  /** The configuration name of this kind: {@code emulated}, {@code upstream}. */
  String kind();

  Backend create(BackendSpec spec, BackendContext context);

  /** The provider for {@code kind}, from the class path. */
  static BackendProvider forKind(String kind) {
    for (BackendProvider provider : ServiceLoader.load(BackendProvider.class)) {
      if (provider.kind().equals(kind)) {
        return provider;
      }
    }
    throw new IllegalArgumentException("kind: " + kind + " (expected: a registered backend kind)");
  }
}
