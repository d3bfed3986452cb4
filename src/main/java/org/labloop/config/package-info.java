/**
 * Reads the user's YAML files into validated, immutable specs: the campaign file
 * (docs/campaign-file.md), the workcell file (docs/workcell-file.md) and the protocol file
 * (docs/protocol-file.md).
 *
 * <p>Public API: {@link org.labloop.config.CampaignLoader} ({@code load(Path)} from disk, {@code parse(sources)} from
 * the texts stored in the event log, {@code loadWorkcell(Path)}) and {@link org.labloop.config.LoadedCampaign}.
 * Everything else is package-private.
 *
 * <p>How it works: {@code YamlTree} turns Jackson's YAML token stream into a small tree of {@code Node}s that keep
 * the line and column of every key and value; {@code CampaignParser}, {@code WorkcellParser} and
 * {@code ProtocolParser} walk those trees, pre-check everything the record constructors would reject, and add each
 * problem (with a one-line hint) to the file's {@code Doc}; {@code CampaignLoader} then checks the files against each
 * other and throws one {@link org.labloop.core.InvalidInputException} with every problem, or builds the
 * {@link org.labloop.campaign.CampaignSpec}.
 */
package org.labloop.config;
