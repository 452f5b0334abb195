package dev.spillway.gateway.tenancy;

/**
 * What one request reserves at admission: one request, its prompt tokens plus its most output tokens,
 * and its price at that most.
 */
public record Demand(long tokens, double usd) {

  public Demand {
    if (tokens < 0) {
      throw new IllegalArgumentException("tokens: " + tokens + " (expected: >= 0)");
    }
    if (!(usd >= 0) || Double.isInfinite(usd)) {
      throw new IllegalArgumentException("usd: " + usd + " (expected: a finite amount >= 0)");
    }
  }
}
