export * from "./monitor";
export * from "./node-exporter";
export * from "./fleet-monitors";
