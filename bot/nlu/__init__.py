"""Rasa 3.6 NLU components for Vietnamese (named in config.yml by module path).

- ``bot.nlu.tokenizer.VietnameseTokenizer``: underthesea words, exact offsets, normalized lemmas.
- ``bot.nlu.featurizer.FoldedTokensFeaturizer``: accent-free syllable features.
- ``bot.nlu.classifier.BlendedIntentClassifier``: a linear intent model averaged with DIET's ranking.
- ``bot.nlu.entities.StructuredEntityExtractor``: dossier codes, ID and phone numbers, and
  gazetteer procedures, fields and locations.
"""
