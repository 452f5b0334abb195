package dev.spillway.helm;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The instructions of a Dockerfile, read well enough to check what it sets: comments dropped,
 * continuation lines joined, JSON-form arguments parsed. No image is built or pulled.
 */
record Dockerfile(List<Instruction> instructions) {

  private static final ObjectMapper JSON = new ObjectMapper();

  record Instruction(String keyword, String arguments) {

    /** The JSON (exec) form's elements: {@code ["java", "-jar", "x.jar"]}. */
    List<String> execForm() {
      try {
        return Arrays.asList(JSON.readValue(arguments, String[].class));
      } catch (IOException e) {
        throw new AssertionError(keyword + " " + arguments + ": not in exec (JSON) form", e);
      }
    }

    List<String> words() {
      return Arrays.asList(arguments.trim().split("\\s+"));
    }
  }

  static Dockerfile read(Path file) throws IOException {
    List<Instruction> instructions = new ArrayList<>();
    StringBuilder current = new StringBuilder();
    for (String line : Files.readAllLines(file)) {
      String trimmed = line.trim();
      if (trimmed.startsWith("#") || (trimmed.isEmpty() && current.length() == 0)) {
        continue;
      }
      if (trimmed.endsWith("\\")) {
        current.append(trimmed, 0, trimmed.length() - 1).append(' ');
        continue;
      }
      current.append(trimmed);
      String text = current.toString().trim();
      current.setLength(0);
      if (text.isEmpty()) {
        continue;
      }
      int space = text.indexOf(' ');
      instructions.add(new Instruction(text.substring(0, space).toUpperCase(java.util.Locale.ROOT),
          text.substring(space + 1).trim()));
    }
    return new Dockerfile(instructions);
  }

  List<Instruction> all(String keyword) {
    return instructions.stream().filter(i -> i.keyword().equals(keyword)).toList();
  }

  /** The last instruction of a kind, as Docker applies it. */
  Instruction last(String keyword) {
    List<Instruction> all = all(keyword);
    if (all.isEmpty()) {
      throw new AssertionError("no " + keyword + " in the Dockerfile");
    }
    return all.get(all.size() - 1);
  }
}
