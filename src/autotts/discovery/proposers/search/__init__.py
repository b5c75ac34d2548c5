"""The built-in search proposer: discovery of controllers without any LLM.

``space`` defines the slots, variants and knobs of a design (a genome);
``parts`` (votes, stops) and ``moves`` (prune, depth, widen) hold the
building blocks' code; ``codegen`` turns a genome into a readable controller
file; ``designs`` holds the seed designs and draws random ones; ``screen``
evaluates designs cheaply on the search split; ``fitness`` scores a curve;
``operators`` make children; ``design_pool`` is the design pool (niches, operator
bandit); ``evolve`` runs one round of the search; ``proposer`` plugs it into
the loop.
"""
