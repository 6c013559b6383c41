/** Types of the untyped npm package parse-prometheus-text-format (1.x): its output, as its README documents it. */
declare module 'parse-prometheus-text-format' {
  export interface PrometheusSample {
    /** The number as written ("1200", "+Inf", "NaN"); absent for histograms and summaries. */
    value?: string;
    labels?: Record<string, string>;
    buckets?: Record<string, string>;
    quantiles?: Record<string, string>;
    count?: string;
    sum?: string;
  }
  export interface PrometheusFamily {
    name: string;
    help: string;
    type: 'COUNTER' | 'GAUGE' | 'HISTOGRAM' | 'SUMMARY' | 'UNTYPED';
    metrics: PrometheusSample[];
  }
  export default function parsePrometheusTextFormat(text: string): PrometheusFamily[];
}
