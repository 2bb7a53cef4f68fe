/** The overview's chart: records added, updated and deleted per hour (loaded with recharts, after the page). */
import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import type { Overview } from "../api.ts";

function hourLabel(at: string) {
  return new Date(at).toLocaleTimeString("en-GB", { hour: "2-digit", minute: "2-digit" });
}

export function RecordsChart(props: { series: Overview["records"]["series"] }) {
  return (
    <ResponsiveContainer width="100%" height={220}>
      <BarChart data={props.series} margin={{ top: 8, right: 8, left: -8, bottom: 0 }}>
        <CartesianGrid strokeDasharray="3 3" stroke="var(--border)" />
        <XAxis dataKey="at" fontSize={12} minTickGap={24} tickFormatter={hourLabel} />
        <YAxis fontSize={12} allowDecimals={false} />
        <Tooltip labelFormatter={(at) => new Date(String(at)).toLocaleString("en-GB")} />
        <Legend />
        <Bar dataKey="added" stackId="r" fill="var(--good)" isAnimationActive={false} />
        <Bar dataKey="updated" stackId="r" fill="var(--accent)" isAnimationActive={false} />
        <Bar dataKey="deleted" stackId="r" fill="var(--bad)" isAnimationActive={false} />
      </BarChart>
    </ResponsiveContainer>
  );
}
