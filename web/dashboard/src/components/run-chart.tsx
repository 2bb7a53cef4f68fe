/**
 * The run's time as a chart (GET /v1/runs/:id/timeline): records per second (area) and requests, retries and
 * rate-limit waits (bars).
 */
import {
  Area,
  Bar,
  CartesianGrid,
  ComposedChart,
  Legend,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from "recharts";
import type { RunTimeline } from "../api.ts";

type TimelineBucket = RunTimeline["data"][number];

function clock(at: string) {
  return new Date(at).toLocaleTimeString("en-GB", { hour: "2-digit", minute: "2-digit", second: "2-digit" });
}

export function RunChart(props: { buckets: TimelineBucket[] }) {
  const summary = props.buckets.reduce(
    (total, bucket) => ({
      requests: total.requests + bucket.requests,
      retries: total.retries + bucket.retries,
      waits: total.waits + bucket.rate_limit_waits,
    }),
    { requests: 0, retries: 0, waits: 0 },
  );
  return (
    <figure className="chart" aria-label="Run activity over time">
      <ResponsiveContainer width="100%" height={240}>
        <ComposedChart data={props.buckets} margin={{ top: 8, right: 8, bottom: 0, left: -16 }}>
          <CartesianGrid strokeDasharray="3 3" stroke="var(--border)" />
          <XAxis dataKey="at" tickFormatter={clock} fontSize={12} minTickGap={24} />
          <YAxis yAxisId="records" fontSize={12} allowDecimals={false} />
          <YAxis yAxisId="calls" orientation="right" fontSize={12} allowDecimals={false} />
          <Tooltip labelFormatter={(value) => clock(String(value))} />
          <Legend />
          <Area
            yAxisId="records"
            type="monotone"
            dataKey="records_per_second"
            name="records/s"
            stroke="var(--accent)"
            fill="var(--accent-soft)"
            isAnimationActive={false}
          />
          <Bar
            yAxisId="calls"
            dataKey="requests"
            name="requests"
            fill="var(--chart-2)"
            isAnimationActive={false}
          />
          <Bar
            yAxisId="calls"
            dataKey="retries"
            name="retries"
            fill="var(--warn)"
            isAnimationActive={false}
          />
          <Bar
            yAxisId="calls"
            dataKey="rate_limit_waits"
            name="rate-limit waits"
            fill="var(--bad)"
            isAnimationActive={false}
          />
        </ComposedChart>
      </ResponsiveContainer>
      <figcaption className="muted small">
        {summary.requests} requests, {summary.retries} retries, {summary.waits} rate-limit waits over the run.
      </figcaption>
    </figure>
  );
}
