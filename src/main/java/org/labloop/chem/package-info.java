/** Molecules: reading SMILES with the CDK, shared by the campaign files' checks, the planner and the benchmarks. */
package org.labloop.chem;
