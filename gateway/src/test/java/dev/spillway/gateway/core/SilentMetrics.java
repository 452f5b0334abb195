package dev.spillway.gateway.core;

import dev.spillway.gateway.metrics.GatewayMetrics;

/** Metrics that record nothing: a base for tests that look at only a few events. */
class SilentMetrics implements GatewayMetrics {
  @Override public void requestFinished(String m, String p, Outcome o, long n) {}
  @Override public void timeToFirstToken(String m, String p, long n) {}
  @Override public void interTokenLatency(String m, String p, long n) {}
  @Override public void gatewayOverhead(String m, long n) {}
  @Override public void queueWait(String m, String t, long n) {}
  @Override public void queueDepth(String m, String t, int d) {}
  @Override public void queueRejected(String m, String t) {}
  @Override public void batchFormed(String p, int s) {}
  @Override public void tokens(String m, String p, int pr, int c) {}
  @Override public void costAndPrice(String m, String p, String t, double c, double pr) {}
  @Override public void replicaLoad(String p, String r, int ru, int w, double k) {}
  @Override public void cacheLookup(String m, boolean h) {}
}
