"""Answer labels with a meaning of their own in replay stores and episodes."""

#: The answer of a probe or branch whose output held no parsable answer. It
#: is an ordinary label for voting (as in the reference); controllers that
#: treat it specially compare against this constant.
ERR = "ERR"
