"""Language models behind one small protocol: KenLM n-grams and the neural verifier's LM."""
