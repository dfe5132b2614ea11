// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

/// @title MaliciousJobReceiver
/// @notice An account contract for tests of JobBoard's payouts: it acts through `execute`
///         (post, bid, challenge, withdraw) and, when paid ETH, re-enters with stored calldata
///         or reverts.
/// @dev For local tests only: anyone may drive it.
contract MaliciousJobReceiver {
    /// @notice What `receive` does when ETH arrives.
    enum Mode {
        Accept,
        Reenter,
        Reject
    }

    Mode public mode;
    address public target;
    bytes public reentryCall;
    /// @notice Re-entry attempts made by `receive`, and how many the target allowed.
    uint256 public reentryAttempts;
    uint256 public reentrySuccesses;

    /// @notice ETH arrived while in Reject mode.
    error MaliciousJobReceiverRejected();
    /// @notice A call made through `execute` reverted (its revert data attached).
    error MaliciousJobReceiverCallFailed(bytes reason);

    /// @notice The receiver's behaviour changed.
    event ModeSet(Mode mode, address target);

    /// @notice Choose what happens when ETH arrives: in Reenter mode, call `target_` with `call`.
    /// @param newMode Accept, Reenter or Reject.
    /// @param target_ The contract to re-enter.
    /// @param call The calldata of the re-entry.
    function setMode(Mode newMode, address target_, bytes calldata call) external {
        mode = newMode;
        target = target_;
        reentryCall = call;
        emit ModeSet(newMode, target_);
    }

    /// @notice Call `to` with `data` and `msg.value` as this contract.
    /// @param to The contract.
    /// @param data The calldata.
    function execute(address to, bytes calldata data) external payable returns (bytes memory) {
        (bool ok, bytes memory result) = to.call{value: msg.value}(data);
        if (!ok) revert MaliciousJobReceiverCallFailed(result);
        return result;
    }

    receive() external payable {
        if (mode == Mode.Reject) revert MaliciousJobReceiverRejected();
        if (mode == Mode.Reenter) {
            reentryAttempts += 1;
            (bool ok,) = target.call(reentryCall);
            if (ok) reentrySuccesses += 1;
        }
    }
}
