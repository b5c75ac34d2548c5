"""Getting the replay data: the catalogue of stores on disk (:mod:`.catalog`),
the published set and its pinned digests (:mod:`.published`, with the
digests in ``published.json``), and the byte transfer (:mod:`.transfer`)."""
