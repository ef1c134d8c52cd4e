"""mOthello Explorer backend: when and why multilingual models learn language-neutral representations.

Modules, lower to higher (a module never imports a higher one):
    othello      engine, random-game generator, board labels
    languages    synthetic languages, experiment configs, the shared vocabulary
    data         corpora and training batches
"""

__version__ = "0.1.0"
