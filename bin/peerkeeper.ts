#!/usr/bin/env node
import { hideBin } from 'yargs/helpers'
import { main } from '../src/cli/main.ts'

await main(hideBin(process.argv))
