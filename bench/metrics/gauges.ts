/** What the bench reads of a server's metrics, per second (docs: the part 2 contract). */
export interface ServerGauges {
  at: number;               // ms since the run started
  inFlight: number | null;  // http_requests_in_flight
  limit: number | null;     // concurrency_limit
  rttNoLoadSeconds: number | null; rttSeconds: number | null;
  eventLoopUtilization: number | null;
  scaleOut: number | null;  // scale_out_signal
  requestsTotal: number | null; // sum of http_requests_total (all routes, all statuses)
  shedTotal: number | null;     // sum of http_requests_shed_total
}
