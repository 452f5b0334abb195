package dev.spillway.backends.emulator;

import java.util.SplittableRandom;

/**
 * Deterministic English-like text, one token at a time. Every piece is a single token in the common BPE
 * vocabularies (cl100k, o200k) and no two pieces merge when the text is tokenised again, so the token
 * count usage reports is the count a client's tokenizer finds.
 */
public final class TextGenerator {

  private static final String[] STARTERS = {"The", "It", "We", "This", "In", "A", "They", "There"};

  private static final String[] SPACED_STARTERS = {
    " The", " It", " We", " This", " In", " A", " They", " There"
  };

  private static final String[] WORDS = {
    " the", " of", " and", " to", " in", " is", " that", " for", " it", " as", " with", " was", " on",
    " be", " at", " by", " this", " had", " not", " are", " but", " from", " or", " have", " an",
    " they", " which", " one", " you", " were", " all", " we", " when", " your", " can", " said",
    " there", " use", " each", " she", " do", " how", " their", " if", " will", " up", " other",
    " about", " out", " many", " then", " them", " these", " so", " some", " her", " would", " make",
    " like", " him", " into", " time", " has", " look", " two", " more", " write", " go", " see",
    " number", " no", " way", " could", " people", " my", " than", " first", " water", " been",
    " call", " who", " now", " find", " long", " down", " day", " did", " get", " come", " made",
    " may", " part", " over", " new", " sound", " take", " only", " little", " work", " know",
    " place", " year", " live", " back", " give", " most", " very", " after", " thing", " our",
    " just", " name", " good", " sentence", " man", " think", " say", " great", " where", " help",
    " through", " much", " before", " line", " right", " too", " mean", " old", " any", " same",
    " tell", " boy", " follow", " came", " want", " show", " also", " around", " form", " three",
    " small", " set", " put", " end", " does", " another", " well", " large", " must", " big",
    " even", " such", " because", " turn", " here", " why", " ask", " went", " men", " read",
    " need", " land", " different", " home", " us", " move", " try", " kind", " hand", " picture",
    " again", " change", " off", " play", " spell", " air", " away", " animal", " house", " point",
    " page", " letter", " mother", " answer", " found", " study", " still", " learn", " should",
    " world", " high", " every", " near", " add", " food", " between", " own", " below", " country",
    " plant", " last", " school", " father", " keep", " tree", " never", " start", " city", " earth",
    " eye", " light", " thought", " head", " under", " story", " saw", " left", " few", " while",
    " along", " might", " close", " something", " seem", " next", " hard", " open", " example",
    " begin", " life", " always", " those", " both", " paper", " together", " got", " group",
    " often", " run", " important", " until", " children", " side", " feet", " car", " mile",
    " night", " walk", " white", " sea", " began", " grow", " took", " river", " four", " carry",
    " state", " once", " book", " hear", " stop", " without", " second", " later", " miss", " idea",
    " enough", " eat", " face", " watch", " far", " really", " almost", " let", " above", " girl",
    " sometimes", " mountain", " cut", " young", " talk", " soon", " list", " song", " being",
    " leave", " family", " model", " data", " system", " token", " request", " memory", " chip"
  };

  private TextGenerator() {}

  /** A new stream of text for a request; the same seed always yields the same text. */
  public static Stream stream(long seed) {
    return new Stream(seed);
  }

  /** The text of one response, token by token. Not thread-safe. */
  public static final class Stream {
    private final SplittableRandom random;
    private int index;
    private int wordsInSentence;
    private boolean afterPunctuation;

    Stream(long seed) {
      this.random = new SplittableRandom(seed);
    }

    /** The next token's text. */
    public String next() {
      String piece;
      if (index == 0) {
        piece = STARTERS[random.nextInt(STARTERS.length)];
        wordsInSentence = 1;
        afterPunctuation = false;
      } else if (afterPunctuation && wordsInSentence == 0) {
        piece = SPACED_STARTERS[random.nextInt(SPACED_STARTERS.length)];
        wordsInSentence = 1;
        afterPunctuation = false;
      } else if (!afterPunctuation && wordsInSentence >= 6 && random.nextInt(10) < 2) {
        piece = ".";
        wordsInSentence = 0;
        afterPunctuation = true;
      } else if (!afterPunctuation && wordsInSentence >= 4 && random.nextInt(20) == 0) {
        piece = ",";
        afterPunctuation = true;
      } else {
        piece = WORDS[random.nextInt(WORDS.length)];
        wordsInSentence++;
        afterPunctuation = false;
      }
      index++;
      return piece;
    }
  }
}
