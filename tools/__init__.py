"""Development, test and benchmark tools: not part of the running site."""
