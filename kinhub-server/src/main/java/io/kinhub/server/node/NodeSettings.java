package io.kinhub.server.node;

import java.time.Duration;

/**
 * How a node takes part in its deployment: its heartbeat to the node registry and its graceful
 * drain.
 *
 * @param heartbeat how often the node writes its row to the registry and compares itself with the
 *     others
 * @param staleAfter a row older than this is no longer a live node
 * @param drainTimeout how long running requests and jobs may take to finish when the node stops
 */
public record NodeSettings(Duration heartbeat, Duration staleAfter, Duration drainTimeout) {}
