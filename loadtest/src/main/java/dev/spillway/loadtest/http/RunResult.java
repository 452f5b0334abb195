package dev.spillway.loadtest.http;

import dev.spillway.loadtest.metrics.RequestRecord;
import java.util.List;
import java.util.Map;

/**
 * What a live run produced.
 *
 * @param records one per request sent, in schedule order; times are nanoseconds from the run's start
 * @param wallNanos from the start of the run to its last request's end
 * @param firstErrors for each error kind, the first error's message (for example the body of the first
 *     {@code http_400}), to tell the user what went wrong
 */
public record RunResult(List<RequestRecord> records, long wallNanos, Map<String, String> firstErrors) {

  public RunResult {
    records = List.copyOf(records);
    firstErrors = Map.copyOf(firstErrors);
  }
}
