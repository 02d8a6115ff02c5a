"""Throw-away OpenSearch and Elasticsearch nodes on loopback, for the tests
(tests/fixtures_search.py), the benchmarks (bench/) and scripts/*.sh."""
