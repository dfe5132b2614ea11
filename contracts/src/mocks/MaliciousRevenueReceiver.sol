// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {DataLicensing} from "../DataLicensing.sol";

/// @title MaliciousRevenueReceiver
/// @notice An account contract for tests of DataLicensing's withdrawals: it acts through
///         `execute` (register a dataset, set tiers, withdraw) and, when paid ETH, re-enters
///         `withdraw` or reverts.
/// @dev For local tests only: anyone may drive it.
contract MaliciousRevenueReceiver {
    /// @notice What `receive` does when ETH arrives.
    enum Mode {
        Accept,
        Reenter,
        Reject
    }

    DataLicensing private immutable _licensing;
    Mode public mode;
    /// @notice Re-entry attempts made by `receive`, and how many the contract allowed.
    uint256 public reentryAttempts;
    uint256 public reentrySuccesses;

    /// @notice ETH arrived while in Reject mode.
    error MaliciousRevenueReceiverRejected();
    /// @notice A call made through `execute` reverted (its revert data attached).
    error MaliciousRevenueReceiverCallFailed(bytes reason);

    /// @notice The receiver's behaviour changed.
    event ModeSet(Mode mode);

    /// @param licensing The DataLicensing to attack.
    constructor(DataLicensing licensing) {
        _licensing = licensing;
    }

    /// @notice Choose what happens when ETH arrives.
    /// @param newMode Accept, Reenter (withdraw ETH again) or Reject.
    function setMode(Mode newMode) external {
        mode = newMode;
        emit ModeSet(newMode);
    }

    /// @notice Call `target` with `data` and `msg.value` as this contract.
    /// @param target The contract.
    /// @param data The calldata.
    function execute(address target, bytes calldata data) external payable returns (bytes memory) {
        (bool ok, bytes memory result) = target.call{value: msg.value}(data);
        if (!ok) revert MaliciousRevenueReceiverCallFailed(result);
        return result;
    }

    receive() external payable {
        if (mode == Mode.Reject) revert MaliciousRevenueReceiverRejected();
        if (mode == Mode.Reenter) {
            reentryAttempts += 1;
            try _licensing.withdraw(address(0)) {
                reentrySuccesses += 1;
            } catch {}
        }
    }
}
