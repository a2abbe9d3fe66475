// Moved to util/ so admission can share it; kept here so connmgr's import holds until its refactor lands.
export { LogThrottle } from '../util/log-throttle.ts'
