package io.kinhub.bench;

/** One line of the summary table at the top of the report. */
record Summary(String measure, String result, String goal, String verdict) {}
