-- Publishes one event-bus message that needs no answer (events, acknowledgements).
-- KEYS[1]  node registry: not touched, declared so that in a Redis Cluster the message is published by the same
--          node as heartbeats and acknowledged publishes (bus_heartbeat.lua, bus_publish.lua)
-- ARGV[1]  bus channel    ARGV[2]  message
-- A script rather than a plain PUBLISH because of that routing: subscribers see one node's messages in the order that
-- node executed them, which the bus's ordering argument (and its sequence numbers) rely on.
return redis.call('PUBLISH', ARGV[1], ARGV[2])
