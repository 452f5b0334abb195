package dev.spillway.backends.structured;

import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.EncodingType;
import com.knuddels.jtokkit.api.IntArrayList;
import java.util.ArrayList;
import java.util.List;

/**
 * Text split into the pieces of its cl100k_base tokens, so that an engine emitting one piece per token
 * reports exactly the count a client's tokenizer finds in the whole text. Used for generated JSON,
 * whose punctuation merges in ways a fixed list of single-token pieces cannot promise. A token that
 * holds part of a character (outside ASCII, from a schema's enum or const) is joined to the next
 * until the piece decodes whole: then that piece stands for more than one token. The vocabulary
 * loads on first use (a few hundred milliseconds; {@link #warmUp} does it early).
 */
public final class TokenPieces {

  private static final Encoding CL100K =
      Encodings.newLazyEncodingRegistry().getEncoding(EncodingType.CL100K_BASE);

  private TokenPieces() {}

  /** Loads the vocabulary: call it off an event loop, before serving. */
  public static void warmUp() {
    CL100K.countTokensOrdinary("warm up");
  }

  /** The text of each token of {@code text}, in order; they concatenate to {@code text}. */
  public static List<String> split(String text) {
    IntArrayList ids = CL100K.encodeOrdinary(text);
    List<String> pieces = new ArrayList<>(ids.size());
    IntArrayList part = new IntArrayList(2);
    for (int i = 0; i < ids.size(); i++) {
      part.add(ids.get(i));
      String piece = CL100K.decode(part);
      if (piece.indexOf('\uFFFD') >= 0 && i + 1 < ids.size() && part.size() < 4) {
        continue; // part of a character: wait for the rest
      }
      pieces.add(piece);
      part.clear();
    }
    return pieces;
  }

  /** Tokens of {@code text}. */
  public static int count(String text) {
    return text.isEmpty() ? 0 : CL100K.countTokensOrdinary(text);
  }
}
