"""The contracts every part of policywatch shares, at the bottom of the import graph.

- ``errors``          the one exception hierarchy (transient vs permanent as types)
- ``settings``        the typed settings schema, read once at the edge and passed down
- ``events``          the events that cross stage boundaries and the topics they travel on
- ``bus``             the only module that talks to Kafka: topics, producer, consumer, lag
- ``embedded_broker`` the Tansu broker started when no Kafka cluster is configured
- ``metrics``         the Prometheus metrics, in one registry handed to components

Nothing here imports another policywatch package.
"""
