package io.jmlx.models.bert;

import java.util.List;

/** Turns sentences into L2-normalised vectors whose dot products measure similarity. */
public interface SentenceEmbedder {
    /** One normalised vector per sentence, in order. */
    List<float[]> embed(List<String> sentences);

    /** The length of every vector. */
    int dimensions();
}
