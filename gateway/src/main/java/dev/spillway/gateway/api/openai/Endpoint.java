package dev.spillway.gateway.api.openai;

/** The OpenAI operations that run on the core, with their paths and the object names they answer with. */
public enum Endpoint {
  CHAT_COMPLETIONS("/v1/chat/completions", "chatcmpl-"),
  COMPLETIONS("/v1/completions", "cmpl-"),
  EMBEDDINGS("/v1/embeddings", ""),
  /** The Responses API, stateless: each request carries its whole conversation. */
  RESPONSES("/v1/responses", "resp_");

  private final String path;
  private final String idPrefix;

  Endpoint(String path, String idPrefix) {
    this.path = path;
    this.idPrefix = idPrefix;
  }

  public String path() {
    return path;
  }

  /**
   * The prefix of response ids: {@code chatcmpl-}, {@code cmpl-}, {@code resp_}; embeddings have no
   * id.
   */
  public String idPrefix() {
    return idPrefix;
  }
}
