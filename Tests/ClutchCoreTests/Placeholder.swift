// Replaced by the real suite.
