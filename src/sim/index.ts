/**
 * The simulator as a library (`peerkeeper/sim`): a Bitcoin-like network of scripted peers on
 * 127.0.0.0/8 and a DNS seed server on loopback, for tests, benchmarks and demos of programs that
 * embed peerkeeper. Kept out of the main entry point so that a node never loads it.
 */
export { startSimNetwork, SimNetwork, GOSSIP_MAX_ADDRESSES, MAX_CONNECTIONS_PER_PEER } from './sim-network.ts'
export type { SimNetworkComponents, SimNetworkEvents, SimNetworkInit, SimPeerTarget } from './sim-network.ts'
export { MISBEHAVIOURS, SIM_PROFILES } from './profiles.ts'
export type { Misbehaviour, SimPeerSpec, SimPeerSpecs, SimProfile } from './profiles.ts'
export type { SimPeerInfo } from './sim-peer.ts'
export type { SimPeerStats } from './sim-connection.ts'
export { startDnsSeedServer } from './dns-seed-server.ts'
export type { DnsQueryRecord, DnsSeedServer, DnsSeedServerInit, SeedRecords } from './dns-seed-server.ts'
export * from './errors.ts'
