"""The built-in search proposer: discovery of controllers without any LLM.

``space`` defines the composable parts and the genome, ``parts`` holds the
parts' code, ``codegen`` turns a genome into a readable controller file,
``evolve`` is the search strategy, ``proposer`` plugs it into the loop.
"""
