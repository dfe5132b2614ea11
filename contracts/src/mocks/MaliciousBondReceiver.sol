// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {DatasetRegistry} from "../DatasetRegistry.sol";

/// @title MaliciousBondReceiver
/// @notice A contributor contract for tests of DatasetRegistry's bond withdrawal: when
///         paid it either re-enters the registry (to withdraw a bond twice or another
///         dataset's bond) or reverts outright.
/// @dev For local tests only. Anyone may drive it; it holds only what tests send it.
contract MaliciousBondReceiver {
    /// @notice What `receive` does when ETH arrives.
    enum Mode {
        Accept,
        Reenter,
        Reject
    }

    DatasetRegistry private immutable _registry;
    Mode public mode;
    uint256 public reenterTarget;
    /// @notice How many re-entry attempts `receive` made, and how many the registry allowed.
    uint256 public reentryAttempts;
    uint256 public reentrySuccesses;

    /// @notice ETH arrived while in Reject mode.
    error MaliciousBondReceiverRejected();

    /// @notice The receiver's behaviour changed.
    event ModeSet(Mode mode, uint256 reenterTarget);

    /// @param registry The DatasetRegistry to attack.
    constructor(DatasetRegistry registry) {
        _registry = registry;
    }

    /// @notice Choose what happens when ETH arrives.
    /// @param newMode Accept, Reenter (withdraw `target`'s bond again) or Reject.
    /// @param target The dataset whose bond a re-entry tries to withdraw.
    function setMode(Mode newMode, uint256 target) external {
        mode = newMode;
        reenterTarget = target;
        emit ModeSet(newMode, target);
    }

    /// @notice Register a dataset as this contract (bond = msg.value).
    /// @param registration Forwarded to DatasetRegistry.register.
    function register(DatasetRegistry.Registration calldata registration) external payable returns (uint256) {
        return _registry.register{value: msg.value}(registration);
    }

    /// @notice Withdraw the bond of `datasetId` (this contract being its contributor).
    /// @param datasetId The dataset.
    function withdraw(uint256 datasetId) external {
        _registry.withdrawBond(datasetId);
    }

    receive() external payable {
        if (mode == Mode.Reject) revert MaliciousBondReceiverRejected();
        if (mode == Mode.Reenter) {
            reentryAttempts += 1;
            try _registry.withdrawBond(reenterTarget) {
                reentrySuccesses += 1;
            } catch {}
        }
    }
}
