// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC1271} from "@openzeppelin/contracts/interfaces/IERC1271.sol";
import {SignatureChecker} from "@openzeppelin/contracts/utils/cryptography/SignatureChecker.sol";

/// @title MockContractWallet
/// @notice A minimal ERC-1271 contract account for tests: it vouches for a
///         signature iff its owner signed the hash, unless told to refuse all.
/// @dev Stands in for a Safe or smart account when testing Sign-In with
///      Ethereum for contract wallets. For local use only; it holds no funds.
contract MockContractWallet is IERC1271 {
    /// @dev Returned for "no"; any value other than the selector means invalid.
    bytes4 private constant _INVALID_SIGNATURE = 0xffffffff;

    address private immutable _owner;
    bool private _refusesAll;

    /// @notice The owner given to the constructor is the zero address.
    error MockContractWalletZeroOwner();
    /// @notice `caller` is not the owner.
    error MockContractWalletNotOwner(address caller);

    /// @notice The owner switched refusing every signature on or off.
    event RefusesAllChanged(bool previous, bool current);

    /// @param owner_ The account whose signatures this wallet accepts.
    constructor(address owner_) {
        if (owner_ == address(0)) revert MockContractWalletZeroOwner();
        _owner = owner_;
    }

    /// @notice ERC-1271: the magic value iff `signature` is the owner's over `hash`.
    /// @param hash The digest that was signed (for SIWE, the EIP-191 message hash).
    /// @param signature The owner's signature (65 bytes for an account owner).
    /// @return magicValue `IERC1271.isValidSignature.selector` or 0xffffffff.
    function isValidSignature(
        bytes32 hash,
        bytes calldata signature
    ) external view returns (bytes4 magicValue) {
        if (_refusesAll) return _INVALID_SIGNATURE;
        // SignatureChecker never reverts on malformed input and also accepts
        // an owner that is itself a contract wallet.
        if (SignatureChecker.isValidSignatureNowCalldata(_owner, hash, signature)) {
            return IERC1271.isValidSignature.selector;
        }
        return _INVALID_SIGNATURE;
    }

    /// @notice Make the wallet refuse (or stop refusing) every signature.
    /// @param refuse True to refuse all signatures, false to check them again.
    function setRefusesAll(bool refuse) external {
        if (msg.sender != _owner) revert MockContractWalletNotOwner(msg.sender);
        bool previous = _refusesAll;
        _refusesAll = refuse;
        emit RefusesAllChanged(previous, refuse);
    }

    /// @notice The account whose signatures this wallet accepts.
    function owner() external view returns (address) {
        return _owner;
    }

    /// @notice Whether the wallet currently refuses every signature.
    function refusesAll() external view returns (bool) {
        return _refusesAll;
    }
}
