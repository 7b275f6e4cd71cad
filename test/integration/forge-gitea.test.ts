// Contract test: the forge client against a local node:http server that speaks exactly the
// gitea endpoints we use, replaying the recorded request/response shapes of
// test/fixtures/forge/gitea/ (their public source is named in each file).
import { forgeContractSuite } from '../helpers/forge-contract-suite.js';

forgeContractSuite('gitea');
