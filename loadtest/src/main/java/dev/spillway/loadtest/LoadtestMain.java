package dev.spillway.loadtest;

/**
 * {@code java -jar spillway-loadtest.jar run|simulate|experiment}. The commands are not built yet; the
 * jar exists so the build layout is final.
 */
public final class LoadtestMain {

  private LoadtestMain() {}

  public static void main(String[] args) {
    System.err.println(
        "spillway-loadtest: run, simulate and experiment are not implemented yet (expected in a later"
            + " release)");
    System.exit(2);
  }
}
