"""The scoring pipeline, one module per stage; each stage's methods are registered by name."""
