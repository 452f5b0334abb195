package dev.spillway.loadtest;

/** A command line that cannot run: the message names the flag and what was expected. Exit status 2. */
public final class UsageException extends Exception {

  public UsageException(String message) {
    super(message);
  }
}
