package dev.spillway.gateway.tenancy;

/** What a request may be held back by. */
public enum Limit {
  /** Requests per sliding minute ({@code rpm}). */
  REQUESTS,
  /** Prompt plus output tokens per sliding minute ({@code tpm}). */
  TOKENS,
  /** Spend per calendar period ({@code budget}). */
  BUDGET,
  /** The shared store could not be reached and the gateway fails closed. */
  STORE;

  /** The name in metric labels and messages: {@code requests}, {@code tokens}, ... */
  public String label() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}
