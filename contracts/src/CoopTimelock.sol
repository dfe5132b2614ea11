// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {TimelockController} from "@openzeppelin/contracts/governance/TimelockController.sol";

/// @title CoopTimelock
/// @notice Executes what governance decided after a delay, and holds the
///         cooperative's treasury (ETH, ERC20s, and ERC721/1155 via the
///         inherited holders). It owns every privileged setter of the suite.
/// @dev Deployed with the deployer as temporary admin so the Governor can be
///      wired in; the deployment script renounces that admin role at the end,
///      leaving the timelock self-administered.
contract CoopTimelock is TimelockController {
    /// @param minDelay Initial minimum delay, in seconds, for operations.
    /// @param proposers Accounts granted the proposer and canceller roles.
    /// @param executors Accounts granted the executor role (address(0): anyone).
    /// @param admin Optional temporary admin (address(0) for none).
    constructor(
        uint256 minDelay,
        address[] memory proposers,
        address[] memory executors,
        address admin
    ) TimelockController(minDelay, proposers, executors, admin) {}
}
